# viz/: PNG pictures.
