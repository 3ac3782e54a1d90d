using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace GuardOrder.Analyzers.Model
{
    /// <summary>
    /// Which blocks of a fault path's graph can still reach a [WriteGrant] call (in the block itself,
    /// in a later block, or inside a source helper a later block calls). A fault-path walk drops a
    /// route as soon as it enters a block from which no grant is reachable: that route could only end
    /// without a grant, and only grant routes are compared. It is an over-approximation (any call of a
    /// helper whose body, helpers expanded, calls a grant counts; a finally region reaches every place
    /// the branches through it continue to), so no grant route is lost.
    /// </summary>
    internal static class GrantReach
    {
        /// <summary>For each block ordinal: a grant may still be reached from it.</summary>
        public static bool[] Compute(ControlFlowGraph cfg, Func<IInvocationOperation, bool> mayGrant)
        {
            var blocks = cfg.Blocks;
            var hasFinally = RouteWalker.HasFinallyRegion(cfg.Root); // else no branch runs one (its list is computed on first read)
            var reach = new bool[blocks.Length];
            var successors = new List<int>[blocks.Length];
            for (int i = 0; i < blocks.Length; i++)
            {
                successors[i] = new List<int>();
            }

            // Where the end of each finally region continues: the next finally of a branch through it,
            // or the branch's destination.
            var afterFinally = new Dictionary<ControlFlowRegion, List<int>>();
            foreach (var block in blocks)
            {
                reach[block.Ordinal] = ContainsGrant(block, mayGrant);
                foreach (var branch in new[] { block.ConditionalSuccessor, block.FallThroughSuccessor })
                {
                    if (branch is null)
                    {
                        continue;
                    }

                    if (branch.Destination is { } destination)
                    {
                        successors[block.Ordinal].Add(destination.Ordinal);
                    }

                    var regions = hasFinally ? branch.FinallyRegions : ImmutableArray<ControlFlowRegion>.Empty;
                    for (int r = 0; r < regions.Length; r++)
                    {
                        successors[block.Ordinal].Add(regions[r].FirstBlockOrdinal);
                        if (!afterFinally.TryGetValue(regions[r], out var continuations))
                        {
                            afterFinally[regions[r]] = continuations = new List<int>();
                        }

                        if (r + 1 < regions.Length)
                        {
                            continuations.Add(regions[r + 1].FirstBlockOrdinal);
                        }
                        else if (branch.Destination is { } target)
                        {
                            continuations.Add(target.Ordinal);
                        }
                    }
                }
            }

            // The end of a finally region continues where the branches through it were going; when that
            // is not known here, the block is taken to reach a grant.
            foreach (var block in blocks)
            {
                if (block.FallThroughSuccessor?.Semantics != ControlFlowBranchSemantics.StructuredExceptionHandling)
                {
                    continue;
                }

                var region = EnclosingFinally(block);
                if (region is not null && afterFinally.TryGetValue(region, out var continuations))
                {
                    successors[block.Ordinal].AddRange(continuations);
                }
                else
                {
                    reach[block.Ordinal] = true;
                }
            }

            bool changed;
            do
            {
                changed = false;
                for (int i = blocks.Length - 1; i >= 0; i--)
                {
                    if (reach[i])
                    {
                        continue;
                    }

                    foreach (var next in successors[i])
                    {
                        if (reach[next])
                        {
                            reach[i] = true;
                            changed = true;
                            break;
                        }
                    }
                }
            }
            while (changed);

            return reach;
        }

        private static ControlFlowRegion? EnclosingFinally(BasicBlock block)
        {
            for (var region = block.EnclosingRegion; region is not null; region = region.EnclosingRegion)
            {
                if (region.Kind == ControlFlowRegionKind.Finally)
                {
                    return region;
                }
            }

            return null;
        }

        private static bool ContainsGrant(BasicBlock block, Func<IInvocationOperation, bool> mayGrant)
        {
            foreach (var operation in block.Operations)
            {
                if (Contains(operation, mayGrant))
                {
                    return true;
                }
            }

            return block.BranchValue is { } value && Contains(value, mayGrant);
        }

        // An explicit stack (rented per thread), not Descendants(): asked for every operation of every block
        // of every fault path and lock user, where the iterator's enumerators were an allocation each.
        private static bool Contains(IOperation operation, Func<IInvocationOperation, bool> mayGrant)
        {
            using var lease = OperationStack.Rent(out var pending);
            pending.Push(operation);
            while (pending.Count > 0)
            {
                var next = pending.Pop();
                if (next is IInvocationOperation call && mayGrant(call))
                {
                    return true;
                }

                foreach (var child in next.ChildOperations)
                {
                    if (child is not null)
                    {
                        pending.Push(child);
                    }
                }
            }

            return false;
        }
    }
}
