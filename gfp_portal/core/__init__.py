"""Cross-cutting services: database base, errors, i18n, access rules, audit, mail."""
