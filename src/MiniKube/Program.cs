using MiniKube.Cli;

// The entry point only hands over to the command tree; every mode lives in Cli/.
return await MkubeCommandLine.RunAsync(args, CliContext.FromProcess());
