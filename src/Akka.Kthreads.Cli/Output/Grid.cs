using System.Globalization;
using System.Text.Json;

namespace Akka.Kthreads.Cli.Output;

/// <summary>
/// A table other than ps (cluster CPUs, cluster-wide ps): named columns and rows of cells already in
/// the words kps prints; numeric columns are right-aligned, and "-" stands for none.
/// </summary>
internal sealed record Grid(IReadOnlyList<GridColumn> Columns, IReadOnlyList<IReadOnlyList<string>> Rows)
{
    /// <summary>The table as a JSON array of objects keyed by the column names in lower case; numbers stay numbers, "-" is null.</summary>
    public string ToJson()
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartArray();
            foreach (var row in Rows)
            {
                json.WriteStartObject();
                for (var i = 0; i < Columns.Count; i++)
                {
                    var (column, cell) = (Columns[i], row[i]);
                    var key = column.Name.ToLowerInvariant();
                    if (cell == "-")
                    {
                        json.WriteNull(key);
                    }
                    else if (column.Numeric && long.TryParse(cell, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number))
                    {
                        json.WriteNumber(key, number);
                    }
                    else
                    {
                        json.WriteString(key, cell);
                    }
                }

                json.WriteEndObject();
            }

            json.WriteEndArray();
        }

        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }
}

/// <summary>One column of a <see cref="Grid"/>: its header, and whether its cells are numbers (right-aligned, JSON numbers).</summary>
internal sealed record GridColumn(string Name, bool Numeric = false);
