using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;

namespace Exchange.Inference.Devices;

/// <summary>Creates ONNX Runtime sessions on the requested device, falling back from <c>auto</c> to the CPU with a reason.</summary>
internal static class SessionFactory
{
    /// <summary>The CUDA and cuDNN libraries the CUDA provider of ONNX Runtime 1.31 loads; the first missing one explains a failure.</summary>
    private static readonly string[] CudaLibraries = ["libcudart.so.13", "libcublasLt.so.13", "libcublas.so.13", "libcudnn.so.9"];

    /// <summary>ONNX Runtime's session configuration keys (onnxruntime_session_options_config_keys.h).</summary>
    private const string IntraOpSpinning = "session.intra_op.allow_spinning";

    private const string InterOpSpinning = "session.inter_op.allow_spinning";

    private static readonly Lazy<OrtEnv> Environment = new(() =>
    {
        // The native logger prints provider load failures to stderr; they are reported through our own errors instead.
        var options = new EnvironmentCreationOptions { logLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL, logId = "exchange" };
        return OrtEnv.CreateInstanceWithOptions(ref options);
    });

    /// <summary>Creates a session for the model bytes.</summary>
    /// <exception cref="CudaUnavailableException">CUDA was requested explicitly and could not be used.</exception>
    public static (InferenceSession Session, ResolvedDevice Device) Create(byte[] model, SessionSettings settings)
    {
        _ = Environment.Value;
        if (settings.Device.Kind == DeviceKind.Cpu)
        {
            return (CreateCpu(model, settings), new ResolvedDevice(DeviceKind.Cpu, 0, null));
        }

        try
        {
            return (CreateCuda(model, settings), new ResolvedDevice(DeviceKind.Cuda, settings.Device.DeviceId, null));
        }
        catch (OnnxRuntimeException e)
        {
            var reason = ExplainCudaFailure(settings.Device.DeviceId, e);
            if (settings.Device.Kind == DeviceKind.Cuda)
            {
                throw new CudaUnavailableException($"CUDA device {settings.Device.DeviceId} was requested but cannot be used: {reason}", e);
            }

            return (CreateCpu(model, settings), new ResolvedDevice(DeviceKind.Cpu, 0, reason));
        }
    }

    private static InferenceSession CreateCpu(byte[] model, SessionSettings settings)
    {
        using var options = BaseOptions(settings);
        return new InferenceSession(model, options);
    }

    private static InferenceSession CreateCuda(byte[] model, SessionSettings settings)
    {
        using var options = BaseOptions(settings);
        options.AppendExecutionProvider_CUDA(settings.Device.DeviceId);
        return new InferenceSession(model, options);
    }

    private static SessionOptions BaseOptions(SessionSettings settings)
    {
        var options = new SessionOptions
        {
            GraphOptimizationLevel = !settings.OptimizeGraph ? GraphOptimizationLevel.ORT_DISABLE_ALL
                : settings.BasicOptimizationsOnly ? GraphOptimizationLevel.ORT_ENABLE_BASIC
                : GraphOptimizationLevel.ORT_ENABLE_ALL,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR,
        };
        if (settings.IntraOpThreads > 0)
        {
            options.IntraOpNumThreads = settings.IntraOpThreads;
        }

        if (!settings.SpinWait)
        {
            // ONNX Runtime's pool threads otherwise spin for work between runs and between operators,
            // burning cores that the node's own work (HTTP, hashing, encryption, the chain) needs.
            options.AddSessionConfigEntry(IntraOpSpinning, "0");
            options.AddSessionConfigEntry(InterOpSpinning, "0");
        }

        return options;
    }

    private static string ExplainCudaFailure(int deviceId, OnnxRuntimeException error)
    {
        var missing = CudaLibraries.FirstOrDefault(lib => !CanLoad(lib));
        if (missing is not null)
        {
            return $"the CUDA execution provider did not load ({missing} not found: install CUDA 13 and cuDNN 9 and put them on LD_LIBRARY_PATH); ONNX Runtime said: {error.Message}";
        }

        if (OperatingSystem.IsLinux() && !File.Exists("/dev/nvidiactl"))
        {
            return $"no NVIDIA GPU is visible (/dev/nvidiactl missing); ONNX Runtime said: {error.Message}";
        }

        return $"ONNX Runtime could not start CUDA device {deviceId}: {error.Message}";
    }

    private static bool CanLoad(string library)
    {
        if (!NativeLibrary.TryLoad(library, out var handle))
        {
            return false;
        }

        NativeLibrary.Free(handle);
        return true;
    }
}
