"""The settings that bound the memory of a build's later stages (``redchain build`` flags).

What a build holds grows with the graph (its triples, their N-Triples lines, the provenance
records, the entities); these bound what the stages that read the whole graph add on top.
"""

from __future__ import annotations

from typing import Final

# Lines (triples) per chunk of validation.validate_lines (--validation-chunk). On the 10 MB
# graph (123,000 triples) 5,000 checks in the CPU time the whole graph at once took, and adds
# ~25 MB of memory where that added ~204 MB; 2,000 gives the same peak, 10,000 and 20,000 are
# 5-10% slower (+33, +53 MB).
CHUNK_TRIPLES: Final = 5_000

# The most lines sorted in memory at once (--sort-buffer), by rdf_text.spooled_ntriples (the graph's
# N-Triples) and exports.write_exports (graph.nq's N-Quads, graph.jsonld's node objects): ~35 MB
# (a line takes ~350 bytes as a Python string in a set). At 10 MB of text (420,000 lines)
# graph.nq took 81 MB over the rest unbounded, 34 MB with this buffer, and the same CPU time
# (sorting smaller runs saves what merging costs). Spilled runs take about the size of graph.nq
# on disk in the output folder while it is written. JSON-LD's node objects (5.5 triples each on
# average) take ~1 kB each in the sort: ~100 MB at this buffer (103 MB for 111,000 of them,
# five renamed copies of the 10 MB graph; 27 MB with 25,000). The 10 MB graph's 22,270 fit in
# one buffer: 28 MB, where grouping its triples by subject took 15 MB (9 MB with 5,000).
SORT_BUFFER_LINES: Final = 100_000
