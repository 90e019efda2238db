using System.Text;

namespace Exchange.Cli.Infrastructure;

/// <summary>Reads a keystore password from $EXCHANGE_PASSWORD, or from the terminal without echo.</summary>
internal static class PasswordReader
{
    public const string Variable = "EXCHANGE_PASSWORD";

    public static string Read(string prompt, bool confirm)
    {
        if (Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } fromEnvironment)
        {
            return fromEnvironment;
        }

        if (Console.IsInputRedirected)
        {
            throw new CliException($"no password: set {Variable} or run in a terminal to be prompted");
        }

        var password = Prompt(prompt);
        if (confirm && Prompt("repeat the password: ") != password)
        {
            throw new CliException("the passwords differ; nothing was written");
        }

        return password;
    }

    private static string Prompt(string prompt)
    {
        Console.Error.Write(prompt);
        var text = new StringBuilder();
        for (var key = Console.ReadKey(intercept: true); key.Key != ConsoleKey.Enter; key = Console.ReadKey(intercept: true))
        {
            if (key.Key == ConsoleKey.Backspace)
            {
                if (text.Length > 0)
                {
                    text.Length--;
                }
            }
            else if (!char.IsControl(key.KeyChar))
            {
                text.Append(key.KeyChar);
            }
        }

        Console.Error.WriteLine();
        return text.ToString();
    }
}
