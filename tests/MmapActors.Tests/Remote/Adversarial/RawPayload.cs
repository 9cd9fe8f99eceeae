namespace MmapActors.Tests.Remote.Adversarial;

/// <summary>Bytes an attacker puts on the wire as they are, under a manifest of the MmapActors protocol.</summary>
public sealed record RawPayload(string Manifest, byte[] Bytes);
