using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace DeclFed.Generators.Parsing;

/// <summary>
/// Matches a stage method's parameter and return types against its runtime's <c>RunAsync</c>, which may be generic over
/// its inputs' type arguments (<c>Dataset&lt;TRecord&gt;</c>): binds the runtime's type parameters from the inputs, then
/// checks the return type with them substituted. Nullability annotations are ignored, as the C# compiler's inference does.
/// </summary>
internal sealed class TypeUnification
{
    private readonly IMethodSymbol _method;
    private readonly Dictionary<ITypeParameterSymbol, ITypeSymbol> _bound = new(SymbolEqualityComparer.Default);

    public TypeUnification(IMethodSymbol method) => _method = method;

    /// <summary>Whether <paramref name="actual"/> can stand where <paramref name="pattern"/> is expected, binding type parameters.</summary>
    public bool Unify(ITypeSymbol pattern, ITypeSymbol actual)
    {
        switch (pattern)
        {
            case ITypeParameterSymbol parameter when SymbolEqualityComparer.Default.Equals(parameter.DeclaringMethod, _method):
                if (_bound.TryGetValue(parameter, out var bound))
                {
                    return SymbolEqualityComparer.Default.Equals(bound, actual);
                }
                _bound[parameter] = actual;
                return true;
            case INamedTypeSymbol { IsGenericType: true } named when actual is INamedTypeSymbol { IsGenericType: true } other
                && SymbolEqualityComparer.Default.Equals(named.OriginalDefinition, other.OriginalDefinition):
                return named.TypeArguments.Zip(other.TypeArguments, (p, a) => (p, a)).All(pair => Unify(pair.p, pair.a));
            case IArrayTypeSymbol array when actual is IArrayTypeSymbol otherArray && array.Rank == otherArray.Rank:
                return Unify(array.ElementType, otherArray.ElementType);
            default:
                return SymbolEqualityComparer.Default.Equals(pattern, actual);
        }
    }

    /// <summary>Whether every type parameter of the runtime method is bound.</summary>
    public bool IsComplete => _method.TypeParameters.All(_bound.ContainsKey);

    /// <summary>How <paramref name="pattern"/> reads for people, with the bound type parameters substituted (<c>Dataset&lt;Instruction&gt;</c>).</summary>
    public string Display(ITypeSymbol pattern) => pattern switch
    {
        ITypeParameterSymbol parameter when _bound.TryGetValue(parameter, out var bound) => TypeNames.Short(bound),
        INamedTypeSymbol { IsGenericType: true } named when named.TypeArguments.Any(t => t is ITypeParameterSymbol) =>
            named.Name + "<" + string.Join(", ", named.TypeArguments.Select(Display)) + ">",
        _ => TypeNames.Short(pattern),
    };
}
