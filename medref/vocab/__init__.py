"""Drug vocabulary: ingredients, their names (INN, US, UK, brands, salts, misspellings), combination products, drug classes and typed codes, plus name resolution."""
