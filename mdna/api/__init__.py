"""The partners' REST API (/api/v1/): applicants' dossiers, the back office, the events feed and
webhooks, open data. Reads and writes go through the same selectors and services as the HTML
views."""
