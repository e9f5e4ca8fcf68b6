"""Transports: how bytes reach the network on each platform.

Nothing here is imported by the core until the first connect, so a board
only pays for the port it uses.
"""
