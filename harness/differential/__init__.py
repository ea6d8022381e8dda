"""Differential mode: the same bytes to every server, the servers grouped by how they read
them (record.py: one server's interpretation; normalise.py: the differences that do not
count; groups.py: who agrees with whom, and which disagreements decide where a message
ends; sweep.py: a corpus against every started server)."""
