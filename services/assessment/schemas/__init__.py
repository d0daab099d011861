"""Request and response schemas of the assessment API, one module per part."""
