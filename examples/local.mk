# examples/: small programs that show the API.
noinst_PROGRAMS += examples/autoencoder
examples_autoencoder_SOURCES = examples/autoencoder.c
