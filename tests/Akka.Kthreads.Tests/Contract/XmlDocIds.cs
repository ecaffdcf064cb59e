using System.Reflection;

namespace Akka.Kthreads.Tests.Contract;

/// <summary>
/// The C# compiler's documentation ids ("T:", "M:", "P:", "F:", "E:"), as written in the XML
/// documentation file, so that a reflected member can be looked up there.
/// </summary>
internal static class XmlDocIds
{
    public static string Of(Type type) => "T:" + TypeId(type);

    public static string Of(MemberInfo member) => member switch
    {
        Type type => Of(type),
        ConstructorInfo ctor => "M:" + TypeId(ctor.DeclaringType!) + "." + (ctor.IsStatic ? "#cctor" : "#ctor") + Parameters(ctor.GetParameters()),
        MethodInfo method => "M:" + TypeId(method.DeclaringType!) + "." + method.Name
            + (method.IsGenericMethodDefinition ? "``" + method.GetGenericArguments().Length : string.Empty)
            + Parameters(method.GetParameters())
            + (method.Name is "op_Implicit" or "op_Explicit" ? "~" + Reference(method.ReturnType) : string.Empty),
        PropertyInfo property => "P:" + TypeId(property.DeclaringType!) + "." + property.Name + Parameters(property.GetIndexParameters()),
        FieldInfo field => "F:" + TypeId(field.DeclaringType!) + "." + field.Name,
        EventInfo @event => "E:" + TypeId(@event.DeclaringType!) + "." + @event.Name,
        _ => throw new ArgumentOutOfRangeException(nameof(member), member, "no documentation id for this kind of member"),
    };

    // A declared type: Namespace.Outer.Inner`1
    private static string TypeId(Type type) => (type.FullName ?? type.Name).Replace('+', '.');

    private static string Parameters(ParameterInfo[] parameters) =>
        parameters.Length == 0 ? string.Empty : "(" + string.Join(",", parameters.Select(p => Reference(p.ParameterType))) + ")";

    // A type used in a signature: System.Nullable{System.Int32}, T[] as `0[], ref as @.
    private static string Reference(Type type)
    {
        if (type.IsByRef)
        {
            return Reference(type.GetElementType()!) + "@";
        }

        if (type.IsPointer)
        {
            return Reference(type.GetElementType()!) + "*";
        }

        if (type.IsArray)
        {
            var rank = type.GetArrayRank();
            return Reference(type.GetElementType()!) + (rank == 1 ? "[]" : "[" + string.Join(",", Enumerable.Repeat("0:", rank)) + "]");
        }

        if (type.IsGenericParameter)
        {
            return (type.DeclaringMethod is null ? "`" : "``") + type.GenericParameterPosition;
        }

        if (!type.IsGenericType)
        {
            return TypeId(type);
        }

        var definition = TypeId(type.GetGenericTypeDefinition());
        var tick = definition.IndexOf('`', StringComparison.Ordinal);
        var name = tick < 0 ? definition : definition[..tick];
        return name + "{" + string.Join(",", type.GetGenericArguments().Select(Reference)) + "}";
    }
}
