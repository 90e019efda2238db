using System.Numerics;
using System.Text;
using Exchange.Core.Abi;
using Exchange.Core.Hashing;
using Exchange.Core.Merkle;

namespace Exchange.Core.Tests.Merkle;

public sealed class MerkleTreeTests
{
    private static Bytes32 InputHash(long i) => Keccak.Hash(Encoding.UTF8.GetBytes($"input {i}"));

    private static Bytes32 OutputHash(long i) => Keccak.Hash(Encoding.UTF8.GetBytes($"output {i}"));

    private static IReadOnlyList<Bytes32> InputHashes(int n) => [.. Enumerable.Range(0, n).Select(i => InputHash(i))];

    private static IReadOnlyList<Bytes32> OutputHashes(int n) => [.. Enumerable.Range(0, n).Select(i => OutputHash(i))];

    [Fact]
    public void Leaves_EqualEthersDoubleKeccakOfAbiEncode()
    {
        foreach (var vector in EthersVectors.Items("leaves"))
        {
            var index = BigInteger.Parse(vector.Text("index"));
            if (index > long.MaxValue)
            {
                continue;
            }

            Assert.Equal(vector.Text("inputHash"), InputHash((long)index).ToString());
            Assert.Equal(vector.Text("taskLeaf"), MerkleLeaves.Task((long)index, Bytes32.Parse(vector.Text("inputHash"))).ToString());
            Assert.Equal(
                vector.Text("resultLeaf"),
                MerkleLeaves.Result((long)index, Bytes32.Parse(vector.Text("inputHash")), Bytes32.Parse(vector.Text("outputHash"))).ToString());
        }
    }

    [Fact]
    public void Leaves_AreKeccakOfKeccakOfTheAbiEncoding()
    {
        var (input, output) = (InputHash(3), OutputHash(3));
        var taskInner = new AbiWords().UInt256(3).Word(input).Keccak();
        var resultInner = new AbiWords().UInt256(3).Word(input).Word(output).Keccak();

        Assert.Equal(Keccak.Hash(taskInner.ToArray()), MerkleLeaves.Task(3, input));
        Assert.Equal(Keccak.Hash(resultInner.ToArray()), MerkleLeaves.Result(3, input, output));
        Assert.NotEqual(taskInner, MerkleLeaves.Task(3, input));
    }

    [Fact]
    public void RootsAndProofs_EqualTheJsReference()
    {
        foreach (var vector in EthersVectors.Items("trees"))
        {
            var n = vector.GetProperty("leafCount").GetInt32();
            var tasks = MerkleLeaves.TaskTree(InputHashes(n));
            var results = MerkleLeaves.ResultTree(InputHashes(n), OutputHashes(n));

            Assert.Equal(vector.Text("tasksRoot"), tasks.Root.ToString());
            Assert.Equal(vector.Text("resultRoot"), results.Root.ToString());
            foreach (var p in vector.GetProperty("proofs").EnumerateArray())
            {
                var i = p.GetProperty("index").GetInt32();
                Assert.Equal(p.GetProperty("task").EnumerateArray().Select(e => e.GetString()), tasks.Proof(i).Select(h => h.ToString()));
                Assert.Equal(p.GetProperty("result").EnumerateArray().Select(e => e.GetString()), results.Proof(i).Select(h => h.ToString()));
            }
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(255)]
    [InlineData(256)]
    public void EveryProof_Verifies_AndTamperingFails(int n)
    {
        var tree = MerkleLeaves.TaskTree(InputHashes(n));
        var other = Keccak.Hash("other"u8);

        for (var i = 0; i < n; i++)
        {
            var leaf = MerkleLeaves.Task(i, InputHash(i));
            var proof = tree.Proof(i);
            Assert.Equal(leaf, tree.Leaves[i]);
            Assert.True(MerkleTree.Verify(proof, tree.Root, leaf));

            Assert.False(MerkleTree.Verify(proof, tree.Root, MerkleLeaves.Task(i, other)));
            Assert.False(MerkleTree.Verify(proof, tree.Root, MerkleLeaves.Task(i + 1, InputHash(i))));
            Assert.False(MerkleTree.Verify(proof, other, leaf));
            if (proof.Count > 0)
            {
                var tampered = proof.ToArray();
                tampered[i % tampered.Length] = other;
                Assert.False(MerkleTree.Verify(tampered, tree.Root, leaf));
                Assert.False(MerkleTree.Verify(proof.Take(proof.Count - 1), tree.Root, leaf));
            }
        }
    }

    [Fact]
    public void OneLeaf_IsItsOwnRootWithAnEmptyProof()
    {
        var tree = MerkleTree.Build([InputHash(0)]);

        Assert.Equal(InputHash(0), tree.Root);
        Assert.Empty(tree.Proof(0));
    }

    [Fact]
    public void ThreeLeaves_CarryTheOddLeafUp()
    {
        var (a, b, c) = (InputHash(0), InputHash(1), InputHash(2));

        var tree = MerkleTree.Build([a, b, c]);

        Assert.Equal(MerkleTree.HashPair(MerkleTree.HashPair(a, b), c), tree.Root);
        Assert.Equal([MerkleTree.HashPair(a, b)], tree.Proof(2));
    }

    [Fact]
    public void HashPair_IsCommutative() =>
        Assert.Equal(MerkleTree.HashPair(InputHash(0), InputHash(1)), MerkleTree.HashPair(InputHash(1), InputHash(0)));

    [Fact]
    public void BadArguments_AreRejected()
    {
        var tree = MerkleTree.Build(InputHashes(3));

        Assert.Throws<ArgumentException>(() => MerkleTree.Build([]));
        Assert.Throws<ArgumentOutOfRangeException>(() => tree.Proof(3));
        Assert.Throws<ArgumentOutOfRangeException>(() => tree.Proof(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => MerkleLeaves.Task(-1, Bytes32.Zero));
        Assert.Throws<ArgumentException>(() => MerkleLeaves.ResultTree(InputHashes(2), OutputHashes(3)));
    }
}
