package dev.clipserve.server;

/**
 * The answer to one encode request.
 *
 * @param model repository name of the model that answered
 * @param dimension length of every vector
 * @param vectors one L2-normalized vector per requested item, in request order
 */
public record Embeddings(String model, int dimension, float[][] vectors) {}
