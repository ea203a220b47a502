"""Operation handlers, one module per spec tag; connexion routes each operationId here."""
