// The port is a machine with global state (mem_map, the KSM stable tree, mprotect.predicate), like
// a kernel: the test classes must not run at the same time.
[assembly: Xunit.CollectionBehavior(DisableTestParallelization = true)]
