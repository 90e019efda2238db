using System.Data;
using System.Globalization;
using System.Numerics;
using Dapper;

namespace Exchange.Storage;

/// <summary>
/// Registers the Dapper type handlers Exchange's tables need. Token amounts are uint256, beyond any
/// SQLite integer, so <see cref="BigInteger"/> columns are stored as decimal TEXT.
/// </summary>
public static class DapperTypeHandlers
{
    private static int _registered;

    /// <summary>Registers the handlers once per process; later calls do nothing.</summary>
    public static void Register()
    {
        if (Interlocked.Exchange(ref _registered, 1) == 1)
        {
            return;
        }

        SqlMapper.AddTypeHandler(new BigIntegerHandler());
    }

    private sealed class BigIntegerHandler : SqlMapper.TypeHandler<BigInteger>
    {
        public override void SetValue(IDbDataParameter parameter, BigInteger value)
        {
            parameter.DbType = DbType.String;
            parameter.Value = value.ToString(CultureInfo.InvariantCulture);
        }

        public override BigInteger Parse(object value) => value switch
        {
            string text => BigInteger.Parse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture),
            long number => number,
            _ => throw new DataException($"cannot read a {value.GetType().Name} as a token amount"),
        };
    }
}
