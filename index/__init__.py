"""The library: SQLite store, indexing pipeline, nearest-neighbour tree and recommender."""
