using System;
using System.Linq;
using CsCheck;

namespace GuardOrder.Tests.Robustness
{
    /// <summary>
    /// The random decisions of a test generator (FixSafetyGenerator, the guard-run generator, the
    /// typing Mutator), drawn by CsCheck as an array of non-negative ints. The generators call
    /// <see cref="Next(int)"/> where they called <c>System.Random.Next</c>; CsCheck shrinks a failing
    /// array towards smaller values, and an exhausted array answers 0 (the first, simplest
    /// alternative of every decision), so a failure is reported on the simplest case found.
    /// Replay one with the seed CsCheck prints: <c>CsCheck_Seed=... dotnet test --filter ...</c>.
    /// </summary>
    internal sealed class Choices
    {
        private readonly int[] _values;
        private int _next;

        public Choices(int[] values)
        {
            _values = values;
        }

        /// <summary>An int in [0, maxExclusive), like <see cref="Random.Next(int)"/>.</summary>
        public int Next(int maxExclusive)
        {
            if (_next >= _values.Length)
            {
                return 0;
            }

            var value = _values[_next++];
            return maxExclusive <= 1 ? 0 : value % maxExclusive;
        }

        /// <summary>An int in [minInclusive, maxExclusive), like <see cref="Random.Next(int, int)"/>.</summary>
        public int Next(int minInclusive, int maxExclusive) => minInclusive + Next(maxExclusive - minInclusive);

        /// <summary><paramref name="maxLength"/> decisions (CsCheck shrinks each towards 0).</summary>
        public static Gen<Choices> Gen(int maxLength) =>
            CsCheck.Gen.Int[0, 1 << 16].Array[maxLength].Select(values => new Choices(values));

        public override string ToString() => "choices [" + string.Join(",", _values.Select(v => v.ToString(System.Globalization.CultureInfo.InvariantCulture))) + "]";
    }
}
