// Kestrel with nothing behind it: every request is answered 206 with 4,096 zero bytes and the headers of a range
// (no file, no owner, no parsing of the Range header). What it serves per second is the most a Kestrel-based data plane
// can serve on this machine. Usage: KestrelCeiling PORT [--inline] (--inline: requests on the I/O thread, as the data
// plane runs them; also set DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1).
using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;

int port = int.Parse(args[0], CultureInfo.InvariantCulture);
bool inline = args.Contains("--inline");
var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
builder.WebHost.UseKestrelCore();
builder.WebHost.UseSockets(sockets => sockets.UnsafePreferInlineScheduling = inline);
builder.WebHost.ConfigureKestrel(kestrel =>
{
    kestrel.AddServerHeader = false;
    kestrel.Listen(IPAddress.Loopback, port, listen => listen.Protocols = HttpProtocols.Http1);
});
var app = builder.Build();
app.Run(async context =>
{
    var response = context.Response;
    response.StatusCode = StatusCodes.Status206PartialContent;
    response.Headers.AcceptRanges = "bytes";
    response.Headers.ContentRange = "bytes 0-4095/268435456";
    response.ContentType = "application/octet-stream";
    response.ContentLength = 4096;
    response.BodyWriter.GetSpan(4096)[..4096].Clear();
    response.BodyWriter.Advance(4096);
    await response.BodyWriter.FlushAsync();
});
await app.RunAsync();
