using System;

namespace NetGen.Cli.Import;

/// <summary>A model the tool cannot import: the message says what and where; nothing has been written.</summary>
internal sealed class ImportException : Exception
{
    public ImportException(string message)
        : base(message)
    {
    }

    public ImportException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
