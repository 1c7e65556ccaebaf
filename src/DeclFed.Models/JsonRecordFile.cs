using System.Globalization;
using System.Text.Json;

namespace DeclFed.Models;

/// <summary>
/// The small JSON records stored next to model weights (<c>pretraining.json</c>, <c>training.json</c>): written with a
/// <see cref="Utf8JsonWriter"/>, read field by field with errors that name the file and the field. Seeds are stored as
/// strings, since a 64-bit seed does not survive JSON readers that parse numbers as doubles.
/// </summary>
internal static class JsonRecordFile
{
    /// <summary>The record as indented UTF-8 JSON: <paramref name="write"/> writes the properties of one object.</summary>
    public static byte[] Write(Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            write(json);
            json.WriteEndObject();
        }
        return buffer.ToArray();
    }

    /// <summary>Writes a seed as a string.</summary>
    public static void WriteSeed(Utf8JsonWriter json, ulong seed) => json.WriteString("seed", seed.ToString(CultureInfo.InvariantCulture));

    /// <summary>Reads the object in <paramref name="path"/> with <paramref name="read"/>; any malformed content is an <see cref="InvalidDataException"/> naming the file.</summary>
    public static T Read<T>(string path, string what, Func<Fields, T> read)
    {
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(path));
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new InvalidDataException($"{path}: expected a JSON object.");
            }
            return read(new Fields(path, document.RootElement));
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"{path}: not a valid {what} ({e.Message}).", e);
        }
    }

    /// <summary>The fields of one record, each required.</summary>
    public readonly struct Fields(string path, JsonElement root)
    {
        /// <summary>The field <paramref name="name"/>.</summary>
        public JsonElement this[string name] => root.TryGetProperty(name, out var value)
            ? value
            : throw new InvalidDataException($"{path}: field '{name}' is missing.");

        /// <summary>A string field that must not be null.</summary>
        public string String(string name) => this[name].GetString() ?? throw new InvalidDataException($"{path}: field '{name}' is null.");

        /// <summary>The seed, stored as an unsigned integer in a string.</summary>
        public ulong Seed()
        {
            var text = this["seed"].GetString();
            return ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var seed)
                ? seed
                : throw new InvalidDataException($"{path}: field 'seed' must be an unsigned integer in a string, not '{text}'.");
        }
    }
}
