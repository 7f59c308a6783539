/**
 * Load generator and A/B teacher-student evaluation (closed and open loop, HdrHistogram
 * percentiles, reports with plots). Skeleton: the load generator itself is a separate issue.
 */
package dev.clipserve.loadtest;
