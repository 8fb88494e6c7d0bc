"""The settings that bound the memory of a build's later stages (``redchain build`` flags).

What a build holds grows with the graph (its triples, their N-Triples lines, the provenance
records, the entities); these bound what the stages that read the whole graph add on top.
"""

from __future__ import annotations

from typing import Final

# Lines (triples) per chunk of validation.validate_lines (--validation-chunk). On the 10 MB
# graph (123,000 triples) 5,000 checks in the CPU time the whole graph at once took, and adds
# ~25 MB of memory where that added ~204 MB. Since the chunks are loaded leniently and counted
# by the index, 2,000 to 20,000 take the same CPU time within 4 % (0.85-0.89 s, measured at
# 43f4fd7); 2,000 and 10,000 give the same peak as 5,000, 20,000 ~20 MB more.
CHUNK_TRIPLES: Final = 5_000

# The most lines sorted in memory at once (--sort-buffer) by rdf_text.spooled_ntriples, the graph's
# N-Triples: ~35 MB (a line takes ~350 bytes as a Python string in a set). Spilled runs take about
# the size of graph.nt on disk in the output folder while it is sorted. graph.jsonld's node objects
# (jsonld.write_jsonld; 5.5 triples each on average, ~1 kB in the sort) are sorted a third as many
# at a time, ~35 MB too (the 10 MB graph's 22,270 fit in one buffer: 28 MB, where grouping its
# triples by subject in memory took 15 MB; 111,000 of them took 103 MB with 100,000 a buffer, 27 MB
# with 25,000). (graph.nq is not sorted: dataset.write_dataset writes it in the records' order,
# holding one document's lines.)
SORT_BUFFER_LINES: Final = 100_000
