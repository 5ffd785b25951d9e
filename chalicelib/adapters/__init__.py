"""Thin wrappers around the outside world (S3, Cognito JWKS, image codecs), created lazily."""
