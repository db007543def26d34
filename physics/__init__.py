"""physics layer of AurumAI Twin."""
