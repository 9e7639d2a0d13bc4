"""Benchmarks of the chat server: throughput, idle connections, history reads."""
