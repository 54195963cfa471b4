// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Text.RegularExpressions;
using HoneyHive.OtelBridge.Receiver.Hosting;
using YamlDotNet.RepresentationModel;

namespace HoneyHive.OtelBridge.Receiver.Tests;

/// <summary>The shipped <c>otel-collector.yaml</c> parses, points at the receiver's default gRPC port, and its
/// pipeline only names components it defines.</summary>
public sealed class OtelCollectorConfigTests
{
    private static readonly YamlMappingNode Root = Load();

    [Fact]
    public void BridgeExporter_EndpointDefault_IsReceiverDefaultGrpcPortInPlaintextWithGzip()
    {
        // Arrange
        var exporter = Map(Map(Root, "exporters"), "otlp_grpc/bridge");

        // Act
        var endpoint = Scalar(exporter, "endpoint");
        var match = Regex.Match(endpoint, @"^\$\{env:[A-Z_]+:-(?<host>[^:}]+):(?<port>\d+)\}$");

        // Assert
        Assert.True(match.Success, endpoint);
        Assert.Equal("127.0.0.1", match.Groups["host"].Value);
        Assert.Equal(OtlpReceiverOptions.DefaultGrpcPort, int.Parse(match.Groups["port"].Value, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("true", Scalar(Map(exporter, "tls"), "insecure"));
        Assert.Equal("gzip", Scalar(exporter, "compression"));
        Assert.Equal("true", Scalar(Map(exporter, "retry_on_failure"), "enabled"));
    }

    [Theory]
    [InlineData("receivers")]
    [InlineData("processors")]
    [InlineData("exporters")]
    public void TracesPipeline_ReferencedComponents_AreDefined(string kind)
    {
        // Arrange
        var defined = Map(Root, kind).Children.Keys.Select(k => ((YamlScalarNode)k).Value!).ToHashSet(StringComparer.Ordinal);
        var pipeline = Map(Map(Map(Root, "service"), "pipelines"), "traces");

        // Act
        var referenced = ((YamlSequenceNode)pipeline.Children[new YamlScalarNode(kind)]).Children.Select(n => ((YamlScalarNode)n).Value!).ToList();

        // Assert
        Assert.NotEmpty(referenced);
        Assert.All(referenced, name => Assert.Contains(name, defined));
    }

    [Fact]
    public void TracesPipeline_ExportsToBridge()
    {
        // Arrange
        var pipeline = Map(Map(Map(Root, "service"), "pipelines"), "traces");

        // Act
        var exporters = ((YamlSequenceNode)pipeline.Children[new YamlScalarNode("exporters")]).Children.Select(n => ((YamlScalarNode)n).Value).ToList();

        // Assert
        Assert.Contains("otlp_grpc/bridge", exporters);
    }

    private static YamlMappingNode Load()
    {
        using var reader = new StreamReader(Path.Combine(RepositoryRoot.Find(), "otel-collector.yaml"));
        var stream = new YamlStream();
        stream.Load(reader);
        return (YamlMappingNode)stream.Documents.Single().RootNode;
    }

    private static YamlMappingNode Map(YamlMappingNode node, string key) => (YamlMappingNode)node.Children[new YamlScalarNode(key)];

    private static string Scalar(YamlMappingNode node, string key) => ((YamlScalarNode)node.Children[new YamlScalarNode(key)]).Value!;
}
