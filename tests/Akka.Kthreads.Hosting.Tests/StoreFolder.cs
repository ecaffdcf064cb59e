namespace Akka.Kthreads.Hosting.Tests;

/// <summary>A fresh temp folder for a spec's SQLite store, deleted (pools cleared first) when the spec is done.</summary>
internal sealed class StoreFolder(string name) : IDisposable
{
    public string Path { get; } = Directory.CreateDirectory(System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"{name}-{Guid.NewGuid():N}")).FullName;

    /// <summary>A file in the folder.</summary>
    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A file still open somewhere stays in the temp folder; it is never read again.
        }
    }
}
