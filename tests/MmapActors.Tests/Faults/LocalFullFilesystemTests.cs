using System.Security.Cryptography;
using Akka.Actor;
using MmapActors.Protocol;

namespace MmapActors.Tests.Faults;

/// <summary>A <see cref="MemoryMap"/> on a file system that fills up (a small tmpfs): where CPython dies of SIGBUS, every
/// write into a hole that finds no space is OSError errno 28, the map keeps working, and a growing resize is refused
/// up front.</summary>
[Collection(NonParallelCollection.Name)]
public sealed class LocalFullFilesystemTests
{
    private const int MiB = 1 << 20;

    [TmpfsFact]
    public void A_local_map_writing_into_holes_of_a_full_tmpfs_gets_ENOSPC_and_keeps_working()
    {
        using var tmpfs = SmallTmpfs.Mount(8);
        string path = Path.Combine(tmpfs.Path, "sparse.bin");
        using (var create = File.OpenHandle(path, FileMode.CreateNew, FileAccess.ReadWrite))
        {
            RandomAccess.SetLength(create, 32L * MiB); // sparse: four times the space there is
        }
        using var map = MemoryMap.Open(path);
        byte[] chunk = RandomNumberGenerator.GetBytes(MiB);
        long written = 0;
        MmapException? full = null;
        for (; written < 32L * MiB; written += MiB)
        {
            full = Record(() => map.WriteAt(written, chunk));
            if (full is not null)
            {
                break;
            }
        }

        AssertNoSpace(full);
        Assert.InRange(written, 4L * MiB, 8L * MiB);
        AssertNoSpace(Record(() => map.WriteAt(20L * MiB, chunk)));
        AssertNoSpace(Record(() => map[24L * MiB] = 1));
        AssertNoSpace(Record(() => map.Move(28L * MiB, 0, MiB)));
        AssertNoSpace(Record(() => map.SetSlice(30L * MiB, 31L * MiB, 4096, new byte[256])));
        map.Seek(26L * MiB);
        AssertNoSpace(Record(() => map.Write(chunk)));
        Assert.Equal(26L * MiB, map.Tell());
        // Growing reserves the space first: refused, and the file keeps its length.
        AssertNoSpace(Record(() => map.Resize(64L * MiB)));
        Assert.Equal(32L * MiB, map.Length);
        Assert.Equal(32L * MiB, new FileInfo(path).Length);
        // What was written before is intact, and the map still reads and writes where there is space.
        Assert.Equal(chunk, map.GetSlice(written - MiB, written));
        map.WriteAt(0, "still here"u8);
        Assert.Equal("still here"u8.ToArray(), map.GetSlice(0, 10));
    }

    [TmpfsFact]
    public async Task A_batch_into_holes_of_a_full_tmpfs_stops_at_the_write_with_ENOSPC_and_the_owner_keeps_serving()
    {
        using var tmpfs = SmallTmpfs.Mount(4);
        string path = Path.Combine(tmpfs.Path, "sparse.bin");
        using (var create = File.OpenHandle(path, FileMode.CreateNew, FileAccess.ReadWrite))
        {
            RandomAccess.SetLength(create, 16L * MiB);
        }
        var system = ActorSystem.Create("full-fs", "akka.loglevel = WARNING");
        try
        {
            await using var client = MmapClient.Create(system);
            await using var file = await client.OpenAsync(path);
            byte[] page = RandomNumberGenerator.GetBytes(4096);
            // 256 one-page writes per batch (1 MiB) into a 4 MiB tmpfs: the fifth batch no longer fits.
            BatchReply? failed = null;
            int batches = 0;
            for (; batches < 16 && failed is null; batches++)
            {
                var operations = Enumerable.Range(0, 256).Select(i => (MapOperation)new WriteAt(batches * (long)MiB + i * 4096L, page)).ToList();
                var reply = await file.BatchAsync(operations);
                failed = reply.Error is null ? null : reply;
            }

            Assert.NotNull(failed);
            Assert.Equal((MmapErrorKind.OSError, 28), (failed.Error!.Kind, failed.Error.Errno));
            Assert.InRange(batches, 2, 5);
            Assert.InRange(failed.FailedIndex, 0, 255);
            // The owner is alive: earlier pages read back, a read-only batch still runs.
            var read = await file.BatchAsync([new ReadAt(0, 4096), new ReadAt(MiB, 4096)]);
            Assert.Null(read.Error);
            Assert.All(read.Results, r => Assert.Equal(page, ((BytesReply)r).Data));
        }
        finally
        {
            await system.Terminate();
        }
    }

    private static MmapException? Record(Action act)
    {
        try
        {
            act();
            return null;
        }
        catch (MmapException e)
        {
            return e;
        }
    }

    private static void AssertNoSpace(MmapException? e)
    {
        Assert.NotNull(e);
        Assert.Equal((MmapErrorKind.OSError, 28), (e.Kind, e.Errno));
        Assert.StartsWith("[Errno 28] No space left on device", e.Message);
    }
}
