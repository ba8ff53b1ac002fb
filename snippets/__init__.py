"""Code the guide shows to readers. Every file here is included on a page and run by a test."""
