"""Domain services: the product's rules, independent of Telegram."""
