using System.Diagnostics;

namespace DeclFed.Hosting.Tests;

/// <summary>Runs a pipeline program as a child process with <c>dotnet &lt;dll&gt;</c>.</summary>
internal static class ChildPipeline
{
    /// <summary>The test pipeline, built next to the tests.</summary>
    public static string TestPipeline => Existing(Path.Combine(AppContext.BaseDirectory, "DeclFed.Hosting.TestPipeline.dll"));

    /// <summary>The pipeline with a <c>[FederatedLora]</c> stage, built next to the tests.</summary>
    public static string FederatedTestPipeline => Existing(Path.Combine(AppContext.BaseDirectory, "DeclFed.Federated.TestPipeline.dll"));

    /// <summary>The pipeline with the user-authored <c>[WordCounts]</c> stage, built next to the tests.</summary>
    public static string WordCountsPipeline => Existing(Path.Combine(AppContext.BaseDirectory, "WordCounts.Pipeline.dll"));

    /// <summary>An example pipeline's program in its own output folder, built in the same configuration as the tests.</summary>
    public static string Example(string project)
    {
        // AppContext.BaseDirectory is tests/DeclFed.Hosting.Tests/bin/<Configuration>/<TargetFramework>/.
        var targetFramework = new DirectoryInfo(AppContext.BaseDirectory);
        var configuration = targetFramework.Parent!;
        var root = configuration.Parent!.Parent!.Parent!.Parent!.FullName;
        return Existing(Path.Combine(root, "pipelines", project, "bin", configuration.Name, targetFramework.Name, project + ".dll"));
    }

    /// <summary>Starts <paramref name="program"/> in <paramref name="workingDirectory"/>, draining its output.</summary>
    public static Process Start(string program, string workingDirectory, IEnumerable<string> args)
    {
        var process = Process.Start(Info(program, workingDirectory, args)) ?? throw new InvalidOperationException($"Could not start {program}.");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>Runs <paramref name="program"/> to completion.</summary>
    public static async Task<HostResult> RunAsync(string program, string workingDirectory, IEnumerable<string> args)
    {
        using var process = Process.Start(Info(program, workingDirectory, args)) ?? throw new InvalidOperationException($"Could not start {program}.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{Path.GetFileName(program)} did not finish in two minutes.");
        }
        return new HostResult(process.ExitCode, await output, await error);
    }

    private static ProcessStartInfo Info(string program, string workingDirectory, IEnumerable<string> args)
    {
        var info = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(program);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        // Plain log lines, as on CI.
        info.Environment["CI"] = "true";
        return info;
    }

    private static string Existing(string path) =>
        File.Exists(path) ? path : throw new FileNotFoundException($"The pipeline program was not built: {path}", path);
}
