using System.Collections.Generic;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;

namespace GuardOrder.Analyzers.Model
{
    /// <summary>
    /// Per-walk memos of the values an operation evaluates to. A value depends only on the operation and
    /// on the values it reads (its owner's, its operands', its arguments') and the first lock held; when a
    /// route reaches the operation with the very same objects as the route before it, the value made then
    /// is the value now. Routes that share a prefix then share their values, and through them the
    /// literals, facts and negations those values make once (<see cref="Literal"/>, <see cref="CondSym"/>):
    /// a value per operation per route was the largest part of a walk's allocation. One entry per operation
    /// (the last inputs): a miss is a new value, as before, never a wrong one.
    /// </summary>
    internal sealed partial class RouteWalker
    {
        private Dictionary<IOperation, Sym> _constants => _tables!.Constants;

        private Dictionary<IOperation, Memo> _memos => _tables!.Memos;

        /// <summary>The inputs a value was made from (compared by reference) and the value.</summary>
        internal sealed class Memo
        {
            public object? First;
            public object? Second;
            public object? Third;
            public ImmutableArray<Sym> Arguments;
            public Sym? Value;
        }

        private bool TryRecall(IOperation operation, object? first, object? second, object? third, out Sym value) =>
            TryRecall(operation, first, second, third, default, out value);

        private bool TryRecall(IOperation operation, object? first, object? second, object? third, ImmutableArray<Sym> arguments, out Sym value)
        {
            if (_memos.TryGetValue(operation, out var memo) && memo.Value is not null &&
                ReferenceEquals(memo.First, first) && ReferenceEquals(memo.Second, second) && ReferenceEquals(memo.Third, third) &&
                SameObjects(memo.Arguments, arguments))
            {
                value = memo.Value;
                return true;
            }

            value = null!;
            return false;
        }

        private T Remember<T>(IOperation operation, object? first, object? second, object? third, T value)
            where T : Sym =>
            Remember(operation, first, second, third, default, value);

        private T Remember<T>(IOperation operation, object? first, object? second, object? third, ImmutableArray<Sym> arguments, T value)
            where T : Sym
        {
            if (!_memos.TryGetValue(operation, out var memo))
            {
                memo = new Memo();
                _memos[operation] = memo;
            }

            memo.First = first;
            memo.Second = second;
            memo.Third = third;
            memo.Arguments = arguments;
            memo.Value = value;
            return value;
        }

        private static bool SameObjects(ImmutableArray<Sym> a, ImmutableArray<Sym> b)
        {
            if (a.IsDefault || b.IsDefault)
            {
                return a.IsDefault == b.IsDefault;
            }

            if (a.Length != b.Length)
            {
                return false;
            }

            for (var i = 0; i < a.Length; i++)
            {
                if (!ReferenceEquals(a[i], b[i]))
                {
                    return false;
                }
            }

            return true;
        }

        /// <summary>A constant expression's value: pure in the operation.</summary>
        private Sym ConstantOnce(IOperation operation)
        {
            if (!_constants.TryGetValue(operation, out var value))
            {
                value = Constant(operation);
                _constants[operation] = value;
            }

            return value;
        }

        /// <summary>Boxed once: the security flag as a memo input compared by reference.</summary>
        private static readonly object SecurityRead = new object();

        private static object? Flag(bool security) => security ? SecurityRead : null;
    }
}
