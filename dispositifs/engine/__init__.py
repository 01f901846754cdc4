"""The form engine: one field catalogue, the tronc commun and four thematic modules, composed with
a scheme's configuration into the ordered steps of its form (see docs/formulaire.md)."""
