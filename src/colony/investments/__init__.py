"""Investments: institutions, accounts and balances, securities and prices, investment activity, the
portfolio, its performance and net worth. One domain of nested parts (see domain.py)."""
