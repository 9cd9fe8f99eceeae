using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Abstractions;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace MmapActors.Remote.Http;

/// <summary>
/// The data plane as Kestrel's application, with nothing between the server and <see cref="DataPlaneHandler"/>: no
/// middleware pipeline and no hosting diagnostics per request (activities, hosting logs and event counters, which the
/// data plane does not use: it has its own metrics). Each connection reuses one <see cref="DefaultHttpContext"/> for all
/// its requests, as ASP.NET Core's own hosting layer does.
/// </summary>
internal sealed class DataPlaneApplication : IHttpApplication<DefaultHttpContext>
{
    private readonly DataPlaneHandler _handler;

    public DataPlaneApplication(DataPlaneHandler handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        _handler = handler;
    }

    public DefaultHttpContext CreateContext(IFeatureCollection contextFeatures)
    {
        if (contextFeatures is IHostContextContainer<DefaultHttpContext> container)
        {
            if (container.HostContext is { } reused)
            {
                reused.Initialize(contextFeatures);
                return reused;
            }
            return container.HostContext = new DefaultHttpContext(contextFeatures);
        }
        return new DefaultHttpContext(contextFeatures);
    }

    public Task ProcessRequestAsync(DefaultHttpContext context) => _handler.HandleAsync(context);

    public void DisposeContext(DefaultHttpContext context, Exception? exception) => context.Uninitialize();
}
