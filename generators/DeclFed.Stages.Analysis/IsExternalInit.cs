// Lets the stage definitions compiled into an analyzer (netstandard2.0) use init accessors and records.
namespace System.Runtime.CompilerServices;

internal static class IsExternalInit
{
}
