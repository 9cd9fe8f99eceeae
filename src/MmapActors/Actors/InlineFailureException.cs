namespace MmapActors.Actors;

/// <summary>
/// What an owner throws to restart after an operation run inline under its turn failed unexpectedly
/// (<see cref="Owner.FileTurn"/>). The inline caller already has its error; the message the owner was about to handle
/// is stashed and handled after the restart.
/// </summary>
internal sealed class InlineFailureException(Exception inner)
    : Exception($"an operation run inline failed: {inner.GetType().Name}: {inner.Message}", inner);
