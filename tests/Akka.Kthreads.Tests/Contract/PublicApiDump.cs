using System.Globalization;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text;

namespace Akka.Kthreads.Tests.Contract;

/// <summary>
/// A stable text dump of an assembly's public API (PublicApiGenerator without the package): every
/// visible type with its kind, base type and interfaces, and every public or protected member
/// signature, with nullability, sorted so that the same API always gives the same text.
/// </summary>
internal static class PublicApiDump
{
    private const BindingFlags Declared =
        BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    // Attributes that change what a caller may do with a type or member.
    private static readonly string[] ShownAttributes =
        ["System.ObsoleteAttribute", "System.FlagsAttribute", "Akka.Annotations.InternalApiAttribute"];

    public static string Dump(Assembly assembly)
    {
        var nullability = new NullabilityInfoContext();
        var text = new StringBuilder();
        foreach (var type in assembly.GetExportedTypes().OrderBy(TypeName, StringComparer.Ordinal))
        {
            foreach (var attribute in Attributes(type))
            {
                text.Append(attribute).Append('\n');
            }

            text.Append(Header(type, nullability)).Append('\n');
            foreach (var member in Members(type, nullability))
            {
                text.Append("    ").Append(member).Append('\n');
            }

            text.Append('\n');
        }

        return text.ToString();
    }

    /// <summary>The members a caller outside the assembly can see (public, protected), declared on the type itself.</summary>
    public static IEnumerable<MemberInfo> VisibleMembers(Type type)
    {
        var accessors = new HashSet<MethodInfo>();
        foreach (var property in type.GetProperties(Declared))
        {
            accessors.UnionWith(property.GetAccessors(nonPublic: true));
        }

        foreach (var @event in type.GetEvents(Declared))
        {
            accessors.UnionWith(new[] { @event.AddMethod, @event.RemoveMethod, @event.RaiseMethod }.OfType<MethodInfo>());
        }

        foreach (var member in type.GetMembers(Declared))
        {
            var visible = member switch
            {
                MethodBase method => !accessors.Contains(method) && IsVisible(method),
                FieldInfo field => !field.IsSpecialName && (field.IsPublic || field.IsFamily || field.IsFamilyOrAssembly),
                PropertyInfo property => property.GetAccessors(nonPublic: true).Any(IsVisible),
                EventInfo @event => @event.AddMethod is { } add && IsVisible(add),
                _ => false, // nested types are listed as types of their own
            };
            if (visible && !member.Name.StartsWith('<'))
            {
                yield return member;
            }
        }
    }

    /// <summary>Members the compiler wrote (a record's Equals, ToString, Deconstruct...): no doc comment can reach them.</summary>
    public static bool IsCompilerGenerated(MemberInfo member) =>
        member.IsDefined(typeof(CompilerGeneratedAttribute), inherit: false);

    public static string TypeName(Type type) => (type.FullName ?? type.Name).Replace('+', '.');

    private static bool IsVisible(MethodBase method) => method.IsPublic || method.IsFamily || method.IsFamilyOrAssembly;

    private static IEnumerable<string> Attributes(MemberInfo member) =>
        member.CustomAttributes
            .Where(a => ShownAttributes.Contains(a.AttributeType.FullName))
            .Select(a => "[" + a.AttributeType.FullName + "(" + string.Join(", ", a.ConstructorArguments.Select(Literal)) + ")]")
            .Order(StringComparer.Ordinal);

    private static string Literal(CustomAttributeTypedArgument argument) => argument.Value switch
    {
        null => "null",
        string s => "\"" + s + "\"",
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        var other => other.ToString() ?? string.Empty,
    };

    private static string Header(Type type, NullabilityInfoContext nullability)
    {
        var name = TypeName(type);
        if (type.IsEnum)
        {
            return $"public enum {name} : {Name(Enum.GetUnderlyingType(type), null)}";
        }

        if (typeof(Delegate).IsAssignableFrom(type) && type != typeof(Delegate) && type != typeof(MulticastDelegate))
        {
            var invoke = type.GetMethod("Invoke")!;
            return $"public delegate {Name(invoke.ReturnType, nullability.Create(invoke.ReturnParameter))} {name}{GenericParameters(type)}({Parameters(invoke, nullability)})";
        }

        string kind;
        if (type.IsInterface)
        {
            kind = "interface";
        }
        else if (type.IsValueType)
        {
            kind = (type.IsDefined(typeof(IsReadOnlyAttribute), false) ? "readonly " : string.Empty)
                + (IsRecord(type) ? "record struct" : "struct");
        }
        else
        {
            kind = (type.IsAbstract && type.IsSealed ? "static " : type.IsAbstract ? "abstract " : type.IsSealed ? "sealed " : string.Empty)
                + (IsRecord(type) ? "record" : "class");
        }

        var bases = new List<string>();
        if (type.BaseType is { } baseType && !type.IsValueType)
        {
            bases.Add(Name(baseType, null));
        }

        bases.AddRange(type.GetInterfaces().Select(i => Name(i, null)).Order(StringComparer.Ordinal));
        return $"public {kind} {name}{GenericParameters(type)}" + (bases.Count > 0 ? " : " + string.Join(", ", bases) : string.Empty);
    }

    private static bool IsRecord(Type type) =>
        type.GetMethod("<Clone>$") is not null
        || type.GetProperty("EqualityContract", BindingFlags.NonPublic | BindingFlags.Public | BindingFlags.Instance) is not null;

    private static IEnumerable<string> Members(Type type, NullabilityInfoContext nullability)
    {
        if (type.IsEnum)
        {
            return type.GetFields(BindingFlags.Public | BindingFlags.Static)
                .OrderBy(f => Convert.ToInt64(f.GetRawConstantValue(), CultureInfo.InvariantCulture))
                .ThenBy(f => f.Name, StringComparer.Ordinal)
                .Select(f => $"{f.Name} = {Convert.ToString(f.GetRawConstantValue(), CultureInfo.InvariantCulture)}");
        }

        if (typeof(Delegate).IsAssignableFrom(type))
        {
            return [];
        }

        return VisibleMembers(type)
            .Select(m => (Order: Order(m), m.Name, Text: Member(m, nullability)))
            .OrderBy(m => m.Order)
            .ThenBy(m => m.Name, StringComparer.Ordinal)
            .ThenBy(m => m.Text, StringComparer.Ordinal)
            .Select(m => m.Text);
    }

    private static int Order(MemberInfo member) => member switch
    {
        ConstructorInfo => 0,
        FieldInfo => 1,
        PropertyInfo => 2,
        EventInfo => 3,
        _ => 4,
    };

    private static string Member(MemberInfo member, NullabilityInfoContext nullability)
    {
        var attributes = string.Concat(Attributes(member).Select(a => a + " "));
        return attributes + member switch
        {
            ConstructorInfo ctor => $"{Access(ctor)} ctor({Parameters(ctor, nullability)})",
            FieldInfo field => Field(field, nullability),
            PropertyInfo property => Property(property, nullability),
            EventInfo @event => $"{Access(@event.AddMethod!)} {Modifiers(@event.AddMethod!)}event {Name(@event.EventHandlerType!, nullability.Create(@event))} {@event.Name}",
            MethodInfo method =>
                $"{Access(method)} {Modifiers(method)}{Name(method.ReturnType, nullability.Create(method.ReturnParameter))} {method.Name}{GenericParameters(method)}({Parameters(method, nullability)})",
            _ => member.ToString() ?? string.Empty,
        };
    }

    private static string Field(FieldInfo field, NullabilityInfoContext nullability)
    {
        var access = field.IsPublic ? "public" : field.IsFamilyOrAssembly ? "protected internal" : "protected";
        var type = Name(field.FieldType, nullability.Create(field));
        if (field.IsLiteral)
        {
            return $"{access} const {type} {field.Name} = {Value(field.GetRawConstantValue(), field.FieldType)}";
        }

        return $"{access} {(field.IsStatic ? "static " : string.Empty)}{(field.IsInitOnly ? "readonly " : string.Empty)}{type} {field.Name}";
    }

    private static string Property(PropertyInfo property, NullabilityInfoContext nullability)
    {
        var getter = property.GetMethod is { } g && IsVisible(g) ? g : null;
        var setter = property.SetMethod is { } s && IsVisible(s) ? s : null;
        var any = (getter ?? setter)!;
        var accessors = new List<string>();
        if (getter is not null)
        {
            accessors.Add(Access(getter) == Access(any) ? "get;" : Access(getter) + " get;");
        }

        if (setter is not null)
        {
            var init = setter.ReturnParameter.GetRequiredCustomModifiers().Contains(typeof(IsExternalInit));
            accessors.Add((Access(setter) == Access(any) ? string.Empty : Access(setter) + " ") + (init ? "init;" : "set;"));
        }

        var indexer = property.GetIndexParameters();
        var name = indexer.Length == 0
            ? property.Name
            : "this[" + string.Join(", ", indexer.Select(p => Parameter(p, nullability))) + "]";
        return $"{Access(any)} {Modifiers(any)}{Name(property.PropertyType, nullability.Create(property))} {name} {{ {string.Join(" ", accessors)} }}";
    }

    private static string Access(MethodBase method) =>
        method.IsPublic ? "public" : method.IsFamilyOrAssembly ? "protected internal" : "protected";

    private static string Modifiers(MethodInfo method)
    {
        var modifiers = new StringBuilder();
        if (method.IsStatic)
        {
            modifiers.Append("static ");
        }

        if (method.IsAbstract && !method.DeclaringType!.IsInterface)
        {
            modifiers.Append("abstract ");
        }
        else if (method.IsVirtual && !method.IsFinal && !method.DeclaringType!.IsInterface)
        {
            modifiers.Append(method.GetBaseDefinition().DeclaringType == method.DeclaringType ? "virtual " : "override ");
        }
        else if (method.IsVirtual && method.IsFinal && method.GetBaseDefinition().DeclaringType != method.DeclaringType)
        {
            modifiers.Append("sealed override ");
        }

        return modifiers.ToString();
    }

    private static string GenericParameters(MemberInfo member)
    {
        var parameters = member switch
        {
            Type { IsGenericTypeDefinition: true } type => type.GetGenericArguments()
                .Where(a => a.DeclaringType == type && (type.DeclaringType is null || !type.DeclaringType.IsGenericType
                    || !type.DeclaringType.GetGenericArguments().Any(o => o.Name == a.Name)))
                .ToArray(),
            MethodInfo { IsGenericMethodDefinition: true } method => method.GetGenericArguments(),
            _ => [],
        };
        return parameters.Length == 0 ? string.Empty : "<" + string.Join(", ", parameters.Select(p => p.Name)) + ">";
    }

    private static string Parameters(MethodBase method, NullabilityInfoContext nullability)
    {
        var extension = method.IsDefined(typeof(ExtensionAttribute), false);
        return string.Join(", ", method.GetParameters().Select((p, i) => (extension && i == 0 ? "this " : string.Empty) + Parameter(p, nullability)));
    }

    private static string Parameter(ParameterInfo parameter, NullabilityInfoContext nullability)
    {
        var type = parameter.ParameterType;
        var prefix = string.Empty;
        if (type.IsByRef)
        {
            prefix = parameter.IsOut ? "out " : parameter.IsIn ? "in " : "ref ";
            type = type.GetElementType()!;
        }
        else if (parameter.IsDefined(typeof(ParamArrayAttribute), false))
        {
            prefix = "params ";
        }

        var text = prefix + Name(type, nullability.Create(parameter)) + " " + parameter.Name;
        return parameter.HasDefaultValue ? text + " = " + Value(parameter.RawDefaultValue, type) : text;
    }

    private static string Value(object? value, Type type) => value switch
    {
        null => type.IsValueType && Nullable.GetUnderlyingType(type) is null ? "default" : "null",
        string s => "\"" + s + "\"",
        bool b => b ? "true" : "false",
        char c => "'" + c + "'",
        _ when type.IsEnum => TypeName(type) + "." + (Enum.GetName(type, value) ?? Convert.ToString(value, CultureInfo.InvariantCulture)),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };

    /// <summary>A type as C# would write it in full, with ? where the reference type is nullable.</summary>
    private static string Name(Type type, NullabilityInfo? nullable)
    {
        if (type.IsByRef)
        {
            return Name(type.GetElementType()!, nullable) + "&";
        }

        if (Nullable.GetUnderlyingType(type) is { } underlying)
        {
            return Name(underlying, null) + "?";
        }

        var mark = !type.IsValueType && nullable?.ReadState == NullabilityState.Nullable ? "?" : string.Empty;
        if (type.IsGenericParameter)
        {
            return type.Name + mark;
        }

        if (type.IsArray)
        {
            return Name(type.GetElementType()!, nullable?.ElementType) + "[" + new string(',', type.GetArrayRank() - 1) + "]" + mark;
        }

        if (!type.IsGenericType)
        {
            return TypeName(type) + mark;
        }

        var definition = type.GetGenericTypeDefinition();
        var name = TypeName(definition);
        var arguments = type.GetGenericArguments();
        var argumentNullability = nullable?.GenericTypeArguments;
        var rendered = arguments.Select((a, i) => Name(a, argumentNullability is { } n && n.Length == arguments.Length ? n[i] : null));
        var tick = name.IndexOf('`', StringComparison.Ordinal);
        return (tick < 0 ? name : name[..tick]) + "<" + string.Join(", ", rendered) + ">" + mark;
    }
}
