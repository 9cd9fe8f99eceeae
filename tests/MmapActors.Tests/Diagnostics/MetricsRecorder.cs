using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using MmapActors.Diagnostics;

namespace MmapActors.Tests.Diagnostics;

/// <summary>
/// Listens to the MmapActors meter from its creation on: counters and up-down counters are summed per instrument and
/// tag set (so every sum is a delta since the recorder started), observable instruments report their current value.
/// </summary>
public sealed class MetricsRecorder : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<string, long> _sums = new();
    private readonly ConcurrentDictionary<string, long> _observed = new();

    public MetricsRecorder()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == MmapMetrics.MeterName)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            if (instrument.IsObservable)
            {
                _observed[instrument.Name] = value;
                return;
            }
            _sums.AddOrUpdate(instrument.Name, value, (_, sum) => sum + value);
            foreach (var tag in tags)
            {
                _sums.AddOrUpdate(Key(instrument.Name, tag.Key, tag.Value), value, (_, sum) => sum + value);
            }
            if (tags.Length == 2)
            {
                string both = Key(instrument.Name, tags[0].Key, tags[0].Value) + "," + tags[1].Key + "=" + tags[1].Value;
                _sums.AddOrUpdate(both, value, (_, sum) => sum + value);
            }
        });
        _listener.Start();
    }

    /// <summary>The sum of <paramref name="instrument"/>'s measurements since the recorder started.</summary>
    public long Sum(string instrument) => _sums.GetValueOrDefault(instrument);

    /// <summary>The sum of the measurements tagged <paramref name="tag"/> = <paramref name="value"/>.</summary>
    public long Sum(string instrument, string tag, string value) => _sums.GetValueOrDefault(Key(instrument, tag, value));

    /// <summary>The sum of the measurements tagged with both pairs, in the order the instrument records them.</summary>
    public long Sum(string instrument, (string Tag, string Value) first, (string Tag, string Value) second) =>
        _sums.GetValueOrDefault(Key(instrument, first.Tag, first.Value) + "," + second.Tag + "=" + second.Value);

    /// <summary>The current value of an observable instrument.</summary>
    public long Observe(string instrument)
    {
        _listener.RecordObservableInstruments();
        return _observed.GetValueOrDefault(instrument);
    }

    public void Dispose() => _listener.Dispose();

    private static string Key(string instrument, string tag, object? value) => $"{instrument}|{tag}={value}";
}
