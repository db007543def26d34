"""esg layer of AurumAI Twin."""
