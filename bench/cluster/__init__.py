"""The pieces of bench/cluster.py: its own PostgreSQL, Redis and HAProxy in front of three `colony serve`
processes on loopback (infra), the checks it runs against them, and its table (report)."""
