using System.Security.Cryptography;
using MmapActors.Remote;
using MmapActors.Tests.Remote;
using Xunit.Abstractions;

namespace MmapActors.Tests.Faults;

/// <summary>
/// The server process (mmapctl serve) against the two things that used to kill it with SIGBUS: a served root whose
/// filesystem fills up, and a served file truncated from outside while clients read and write it. The point is that
/// the process survives, so it is a real separate process, checked after each ordeal.
/// </summary>
[Collection(NonParallelCollection.Name)]
public sealed class ServerFaultTests(ITestOutputHelper output)
{
    private const int MiB = 1 << 20;

    [TmpfsFact]
    public async Task A_full_served_root_gives_ENOSPC_to_put_WriteAt_Move_and_resize_and_the_server_keeps_serving_earlier_data()
    {
        using var tmpfs = SmallTmpfs.Mount(32);
        string scratch = Directory.CreateTempSubdirectory("mmap-enospc-").FullName;
        // The filesystem itself must fill up here, so the server's free-space floor (1 GiB, larger than this tmpfs) is off.
        string noFloor = Path.Combine(scratch, "no-floor.hocon");
        await File.WriteAllTextAsync(noFloor, "mmap.limits.min-free-disk = 0\n");
        await using var server = await ServerProcess.StartAsync(tmpfs.Path, noFloor);
        await using var client = await MmapRemote.ConnectAsync(server.Address);
        try
        {
            // Earlier data: 8 MiB put through the server (created with its space reserved).
            byte[] kept = RandomNumberGenerator.GetBytes(8 * MiB);
            string keptSource = Path.Combine(scratch, "kept.bin");
            await File.WriteAllBytesAsync(keptSource, kept);
            Assert.Equal(0, (await RunMmapctlAsync("put", "kept.bin", "-i", keptSource, "--server", server.Address)).Exit);

            // A put larger than the space left: refused when the file is created, with nothing left behind.
            string bigSource = Path.Combine(scratch, "big.bin");
            await File.WriteAllBytesAsync(bigSource, new byte[48 * MiB]);
            var put = await RunMmapctlAsync("put", "big.bin", "-i", bigSource, "--server", server.Address);
            Assert.NotEqual(0, put.Exit);
            Assert.Contains("[Errno 28]", put.Err);
            Assert.False(File.Exists(Path.Combine(tmpfs.Path, "big.bin")));

            // A file made sparse outside MmapActors (its length far beyond the space): writes into its holes.
            using (var sparse = File.OpenHandle(Path.Combine(tmpfs.Path, "sparse.bin"), FileMode.CreateNew, FileAccess.ReadWrite))
            {
                RandomAccess.SetLength(sparse, 64L * MiB);
            }
            await using var file = await client.OpenAsync("sparse.bin");
            byte[] chunk = RandomNumberGenerator.GetBytes(MiB);
            long written = 0;
            MmapException? full = null;
            for (; written < 64L * MiB && full is null; written += MiB)
            {
                try
                {
                    await file.WriteAtAsync(written, chunk);
                }
                catch (MmapException e)
                {
                    full = e;
                }
            }
            output.WriteLine($"WriteAt: {written / MiB - 1} MiB written before {full}");
            AssertNoSpace(full);
            Assert.InRange(written, 8L * MiB, 32L * MiB);

            // Once full, every kind of write into a hole is a typed ENOSPC.
            AssertNoSpace(await Assert.ThrowsAsync<MmapException>(() => file.WriteAtAsync(48L * MiB, chunk)));
            // Batches: LocalFullFilesystemTests (a Batch sent to a server process gets no answer at all on main,
            // full disk or not; that is a remote-path bug of its own).
            AssertNoSpace(await Assert.ThrowsAsync<MmapException>(() => file.MoveAsync(56L * MiB, 0, MiB)));
            AssertNoSpace(await Assert.ThrowsAsync<MmapException>(() => file.ResizeAsync(128L * MiB)));

            // The server is alive and serves what was there before.
            Assert.False(server.HasExited);
            await using var keptFile = await client.OpenAsync("kept.bin", access: MmapAccess.Read);
            var back = new MemoryStream();
            for (long at = 0; at < kept.Length; at += MiB)
            {
                back.Write(await keptFile.ReadAtAsync(at, MiB));
            }
            Assert.Equal(SHA256.HashData(kept), SHA256.HashData(back.ToArray()));
            Assert.Equal(chunk[..4096], await file.ReadAtAsync(0, 4096));
            Assert.Equal(64L * MiB, await file.LengthAsync());
        }
        finally
        {
            Directory.Delete(scratch, recursive: true);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task A_served_file_truncated_in_a_loop_under_16_workers_gives_typed_EIO_and_the_server_lives(int trial)
    {
        string root = Directory.CreateTempSubdirectory("mmap-served-race-").FullName;
        string path = Path.Combine(root, "race.bin");
        try
        {
            using (var create = File.OpenHandle(path, FileMode.CreateNew, FileAccess.ReadWrite))
            {
                RandomAccess.SetLength(create, LocalTruncationRaceTests.Large);
            }
            await using var server = await ServerProcess.StartAsync(root);
            await using var client = await MmapRemote.ConnectAsync(server.Address);
            var files = new IMappedFile[LocalTruncationRaceTests.Workers];
            for (int i = 0; i < files.Length; i++)
            {
                files[i] = await client.OpenAsync("race.bin");
            }
            var tally = new RaceTally();
            using var stop = new CancellationTokenSource();
            var workers = files.Select((f, i) => Task.Run(() => WorkAsync(f, i, tally, stop.Token))).ToArray();
            long truncations;
            using (var handle = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite))
            {
                truncations = await Task.Factory.StartNew(() => LocalTruncationRaceTests.TruncateInALoop(handle, stop), TaskCreationOptions.LongRunning);
            }
            await Task.WhenAll(workers);

            output.WriteLine($"trial {trial}: {truncations} truncations, {tally}");
            Assert.False(server.HasExited, "the server process died");
            Assert.Empty(tally.Unexpected);
            Assert.True(tally.Failed > 0, $"no access hit a truncated page, so the race was not exercised: {tally}");
            Assert.True(tally.Succeeded > 0, $"no access succeeded: {tally}");
            // ... and it still serves: the file is whole again, so every page reads.
            Assert.Equal(4096, (await files[0].ReadAtAsync(LocalTruncationRaceTests.Large - 4096, 4096)).Length);
            foreach (var f in files)
            {
                await f.DisposeAsync();
            }
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static async Task WorkAsync(IMappedFile file, int seed, RaceTally tally, CancellationToken stop)
    {
        var random = new Random(seed);
        var page = new byte[4096];
        while (!stop.IsCancellationRequested)
        {
            long offset = random.NextInt64(LocalTruncationRaceTests.Large / 4096) * 4096;
            try
            {
                if (random.Next(2) == 0)
                {
                    await file.ReadAtAsync(offset, 4096);
                }
                else
                {
                    await file.WriteAtAsync(offset, page);
                }
                tally.Success();
            }
            catch (Exception e)
            {
                tally.Failure(e);
            }
        }
    }

    private static void AssertNoSpace(MmapException? e)
    {
        Assert.NotNull(e);
        Assert.Equal((MmapErrorKind.OSError, 28), (e.Kind, e.Errno));
    }

    private static async Task<(int Exit, string Err)> RunMmapctlAsync(params string[] arguments)
    {
        using var process = ServerProcess.StartMmapctl(arguments);
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await process.WaitForExitAsync(timeout.Token);
        await stdout;
        return (process.ExitCode, await stderr);
    }
}
