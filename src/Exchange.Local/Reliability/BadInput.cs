namespace Exchange.Local.Reliability;

/// <summary>One bad input: where it enters (cli, api, chain), its name, and how to give it.</summary>
/// <param name="Surface">cli, api or chain.</param>
/// <param name="Name">What is wrong with it, as a short slug.</param>
/// <param name="Give">Gives the input and returns the answer.</param>
internal sealed record BadInput(string Surface, string Name, Func<CancellationToken, Task<Answer>> Give);

/// <summary>How the system answered a bad input.</summary>
/// <param name="Refused">A non-zero exit code or a 4xx status.</param>
/// <param name="Crashed">An internal error: exit code 70 or a signal, a stack trace, a 5xx status.</param>
/// <param name="Clear">One line on stderr starting with <c>error:</c>, or a ProblemDetails body with a title.</param>
/// <param name="Text">The line or the problem's title and detail, for the report.</param>
internal sealed record Answer(bool Refused, bool Crashed, bool Clear, string Text);

/// <summary>What happened to one bad input, as the report lists it.</summary>
/// <param name="Surface">cli, api or chain.</param>
/// <param name="Name">The input's name.</param>
/// <param name="Outcome">refused, accepted (it succeeded or changed something), crashed, or unclear (refused without one clear line).</param>
/// <param name="Answer">The error line or problem, shortened.</param>
/// <param name="Changed">What it changed that it must not have, or null.</param>
public sealed record BadInputResult(string Surface, string Name, string Outcome, string Answer, string? Changed);
