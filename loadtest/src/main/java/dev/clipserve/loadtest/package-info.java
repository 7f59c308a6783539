/**
 * Load generator and A/B teacher-student evaluation: closed and open loops over asynchronous gRPC
 * ({@code run}), workloads ({@code workload}), alternating-window A/B ({@code ab}), accuracy on a
 * labeled eval set ({@code eval}) and reports with plots ({@code report}).
 */
package dev.clipserve.loadtest;
