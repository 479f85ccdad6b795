"""ai-digest: a static site generator for a weekly digest of AI-news briefs."""

__version__ = "0.1.0"

# The fixed line that follows every rendered list of implications. It lives in
# code, not in content or site.yaml, so that no edit can soften or drop it.
DISCLAIMER = "Implications are AI-generated. Starting points, not advice."
