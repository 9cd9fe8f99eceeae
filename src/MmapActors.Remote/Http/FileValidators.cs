using System.Globalization;
using Microsoft.Net.Http.Headers;
using MmapActors.Native;

namespace MmapActors.Remote.Http;

/// <summary>A file version's HTTP validators: a strong ETag in nginx's spirit (inode, size, modification time to the
/// nanosecond) and Last-Modified, with their header texts, made once per version.</summary>
internal sealed class FileValidators
{
    public FileValidators(FileIdentity identity)
    {
        Identity = identity;
        ETagText = string.Create(CultureInfo.InvariantCulture,
            $"\"{identity.Inode:x}-{identity.Size:x}-{identity.ModifiedSeconds:x}{identity.ModifiedNanoseconds:x8}\"");
        ETag = new EntityTagHeaderValue(ETagText);
        LastModified = new DateTimeOffset(identity.Modified, TimeSpan.Zero);
        LastModifiedText = HeaderUtilities.FormatDate(LastModified);
    }

    public FileIdentity Identity { get; }

    public EntityTagHeaderValue ETag { get; }

    public string ETagText { get; }

    public DateTimeOffset LastModified { get; }

    public string LastModifiedText { get; }
}
