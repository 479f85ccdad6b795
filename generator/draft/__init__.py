"""`digest draft`: first drafts of briefs from an OpenAI-compatible API, recorded and reviewed.

endpoint.py  which endpoints may be used (https, or http on loopback)
request.py   what is sent: the prompt, the source and the site's vocabulary
client.py    one POST with a timeout, retries on 429/5xx, no redirects
reply.py     the model's answer, checked field by field
rewrite.py   the brief with the answer in place, checked as `digest check` would
select.py    which briefs to draft, and which may not be sent
"""
