using System.Diagnostics.Metrics;
using MmapActors.Diagnostics;
using MmapActors.Remote;

namespace MmapActors.Tests.Diagnostics;

/// <summary>Refusals (policy) are told from failures, in one place, and metrics tag them so.</summary>
[Collection(NonParallelCollection.Name)]
public sealed class MmapRefusalsTests
{
    [Theory]
    [InlineData(MmapErrorKind.OSError, 18, "[Errno 18] Invalid cross-device link: '../x' resolves outside the served root", MmapRefusals.ForbiddenPath)]
    [InlineData(MmapErrorKind.OSError, 40, "[Errno 40] Too many levels of symbolic links: 'loop'", MmapRefusals.ForbiddenPath)]
    [InlineData(MmapErrorKind.OSError, 19, "[Errno 19] No such device: 'fifo' is not a regular file (a FIFO)", MmapRefusals.ForbiddenPath)]
    [InlineData(MmapErrorKind.OSError, 13, "[Errno 13] Permission denied: 'a' (the served root is read-only)", MmapRefusals.ReadOnly)]
    [InlineData(MmapErrorKind.ValueError, null, "range of 9 bytes passes mmap.limits.max-range-length (4); stream it", MmapRefusals.Limit)]
    [InlineData(MmapErrorKind.OSError, 24, "[Errno 24] Too many open files: x holds the 2 handles mmap.limits.max-handles-per-node allows", MmapRefusals.Limit)]
    [InlineData(MmapErrorKind.ValueError, null, "file length 2048 is outside the allowed range 0..1024", MmapRefusals.Limit)]
    [InlineData(MmapErrorKind.OSError, 2, "[Errno 2] No such file or directory: 'x'", null)]
    [InlineData(MmapErrorKind.OSError, 13, "[Errno 13] Permission denied: 'x'", null)]
    [InlineData(MmapErrorKind.ValueError, null, "read position out of range", null)]
    public void Refusals_are_classified_by_reason_and_failures_are_not(MmapErrorKind kind, int? errno, string message, string? expected) =>
        Assert.Equal(expected, MmapRefusals.Classify(kind, message, errno));

    [Fact]
    public async Task A_refused_path_is_counted_as_forbidden_path_and_an_upload_records_no_error()
    {
        string root = Directory.CreateTempSubdirectory("mmap-refusal-metrics-").FullName;
        var errors = new System.Collections.Concurrent.ConcurrentBag<string>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == MmapMetrics.MeterName && instrument.Name == MmapMetrics.ErrorsInstrument)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, _, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == MmapMetrics.ErrorKindTag)
                {
                    errors.Add((string)tag.Value!);
                }
            }
        });
        listener.Start();
        try
        {
            await using var server = await MmapServer.StartAsync(new MmapServerOptions(root, Port: 0, Config: "akka.loglevel = WARNING"));
            await using var client = MmapClient.Create(server.System);

            // What mmapctl put does: a temporary name, the bytes, a commit.
            string temporary = ServedRoot.TemporaryNameFor("new.bin");
            await client.CreateFileAsync(temporary, 4);
            await using (var file = await client.OpenAsync(temporary))
            {
                await file.WriteAtAsync(0, "data"u8.ToArray());
                await file.FlushAsync();
            }
            await client.CommitFileAsync(temporary, "new.bin");
            Assert.Empty(errors);

            await Assert.ThrowsAsync<MmapException>(() => client.OpenAsync("../outside.bin"));
            Assert.Equal([MmapRefusals.ForbiddenPath], errors.ToArray());
            Assert.Equal("data", await File.ReadAllTextAsync(Path.Combine(root, "new.bin")));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
